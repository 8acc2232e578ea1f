# Models of the statistics snapshot live here.
