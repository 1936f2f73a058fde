"""Tag vocabularies: AO3 ratings and warnings, canonical fandom names."""
