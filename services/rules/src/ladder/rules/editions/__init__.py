"""Editions of 要素条件 (智能工厂梯度培育要素条件): dated data files and the routes to read them."""
