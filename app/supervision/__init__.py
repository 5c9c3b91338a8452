"""电子监察: supervision figures from recorded events, with a daily rollup."""
