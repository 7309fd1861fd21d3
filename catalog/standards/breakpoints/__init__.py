"""Numeric tables of the environmental standards, each with its source noted.

Kept as plain Python data so the calculators stay pure and import nothing but numpy.
"""
