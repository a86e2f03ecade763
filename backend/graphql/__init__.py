"""GraphQL transport: thin resolvers over the domain layer."""
