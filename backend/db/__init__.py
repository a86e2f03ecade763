"""Engine, sessions and column types shared by every area."""
