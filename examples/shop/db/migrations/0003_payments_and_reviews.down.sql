DROP TABLE reviews;
DROP TABLE payments;
