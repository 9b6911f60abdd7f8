"""The warehouse's SQL as package data: ``schema/NNN_*.sql`` (the migrations) and ``views.sql``.

A package only so that an installed copy finds them (pipeline/packaged.py); no code lives here. In a
source checkout the default home also keeps its DuckDB file in this folder (not packaged).
"""
