"""Product reviews: intake (verified buyer, one review per order line, versions kept), moderation
(text checks, sentiment and behaviour signals), the public view with its rating projection, staff
decisions with an audit list, the merchant's reply, and the follow-up ticket a negative review opens."""
