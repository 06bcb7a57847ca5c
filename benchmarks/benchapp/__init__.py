"""Models used only by the benchmarks ."""
