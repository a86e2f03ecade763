"""Assets: sites, their IP blocks, and devices (cameras, recorders, switches, cabinets)."""
