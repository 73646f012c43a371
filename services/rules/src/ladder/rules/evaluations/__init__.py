"""Evaluations: does a factory meet 要素条件 for a tier?"""
