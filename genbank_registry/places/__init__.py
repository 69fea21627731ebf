"""Places with their vintage: the administrative units before and after the 1 July 2025 reform, the old→new
table, the 2025 commune polygons, and a place as written resolved to today's unit."""
