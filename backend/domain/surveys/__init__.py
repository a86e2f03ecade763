"""Joint surveys (ortak keşif) and their signed minutes (keşif tutanağı)."""
