"""Cross-border returns: where a return goes (the warehouse that serves the delivery country), the
return authorisation number, and the customs declaration a parcel crossing a border needs."""
