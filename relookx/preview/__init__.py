"""Previews: the user wearing the recommended piece, by the SD webui (direct or through SSH) or a mock-up."""
