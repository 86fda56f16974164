"""Public API area: health, reference catalogs, the merged OpenAPI document and Swagger UI."""
