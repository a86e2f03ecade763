"""Work the server does on its own: the scheduled diagnostics sweeps."""
