"""GraphQL at `/graphql`: a read model over the services, for the front end."""
