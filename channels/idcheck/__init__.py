"""ID verification edge: two-factor ID check (level 2) and face verification (level 3)."""

from channels.idcheck.client import IdCheckClient, build
from channels.idcheck.face import FaceSession, FaceVerifier

__all__ = ["FaceSession", "FaceVerifier", "IdCheckClient", "build"]
