"""The expert pool (专家库), conflicts of interest (回避) and putting experts on a case."""
