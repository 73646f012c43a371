"""The case in the national review (国家评审): who reaches it (the ministry every case, an
expert the ones they are on), the list and the reading."""
