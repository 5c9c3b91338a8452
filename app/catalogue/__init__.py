"""The service catalogue (事项目录 / 办事指南): reading (``service``), the per-worker cache
(``cache``, ``snapshot``), search (``search``), maintenance (``admin``) and ``seed-demo``."""
