DROP TABLE products;
DROP TABLE categories;
DROP TABLE users;
