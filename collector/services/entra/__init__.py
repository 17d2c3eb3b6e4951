"""Microsoft Graph (Entra ID) surfaces."""
