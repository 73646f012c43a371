"""Local overlays: what a province or municipality adds to the national 要素条件."""
