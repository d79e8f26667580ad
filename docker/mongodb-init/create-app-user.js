// Runs once, when the MongoDB data volume is first initialised (mongo image entrypoint, as root):
// the app's own user, limited to reading and writing its database.
const fs = require('fs');
const pwd = fs.readFileSync('/run/secrets/mongodb_password', 'utf8').replace(/\r?\n$/, '');
db.getSiblingDB('hotline12345').createUser({ user: 'hotline', pwd, roles: [{ role: 'readWrite', db: 'hotline12345' }] });
