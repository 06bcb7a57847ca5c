"""Tasks API backends shipped with the package (optional: each needs its extra)."""
