"""Scale benchmark (issue 8): the collector against a 200,000-user, 20-subscription simulator."""
