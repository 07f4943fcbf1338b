"""Shops: product sources behind one interface, a polite HTTP layer, structured-data parsing, ranking."""
