"""`prism templates test`: a template's setup script run for real in a throwaway system."""
