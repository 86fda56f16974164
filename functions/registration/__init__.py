"""Citizen registration (manual §5 Pasos 2–6): basic data, identity questions, contact, password, sessions, /me."""
