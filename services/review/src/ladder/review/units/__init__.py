"""The registry of recommending and reviewing units (`ladder.kit.units`), read over HTTP."""
