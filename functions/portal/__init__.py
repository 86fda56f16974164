"""The portal: server-rendered pages in Spanish over the project's own API (decision 0080)."""
