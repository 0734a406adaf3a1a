"""In-memory fakes of the services' ports, one module per bounded context; each fake says what it
holds with __len__ / __contains__ and keeps the observable behaviour of the DynamoDB adapter behind
the same Protocol (conditional writes become the same domain errors)."""
