"""Problems as data: the catalogue (`catalogue`), and libraries' errors in Indonesian (`explain`)."""
