"""Satisfaction surveys: CSAT + NPS after a ticket closes, NPS after delivery; throttled, sent with
a signed link, answered on a small HTML page, counted into satisfaction figures."""
