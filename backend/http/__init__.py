"""Plain HTTP endpoints beside GraphQL (binary data never rides GraphQL): uploads and blobs."""
