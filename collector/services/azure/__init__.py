"""Azure Resource Manager surfaces."""
