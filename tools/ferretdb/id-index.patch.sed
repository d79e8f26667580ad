# internal/backends/sqlite/metadata/metadata.go: look _id up with the expression its index uses
# (see scripts/ferretdb.sh build).
s|IDColumn = DefaultColumn + "->'\$\._id'"|IDColumn = DefaultColumn + "->'_id'"|
