# Models of the public reports live here.
