"""Courier edges: kuaidi100 tracking (``kuaidi100.py``) and EMS-style booking (``carrier.py``)."""
