"""Media: uploads shared by tickets (evidence), inspections and reviews, checked before anyone sees them."""
