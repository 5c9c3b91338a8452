"""The reforms on top of the case flow: 告知承诺制 and 容缺受理 (``pledges``, ``tolerance``),
hall appointments (``appointments``) and bundled applications (``bundles``)."""
