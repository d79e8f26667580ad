// Command ferretdb-lab runs FerretDB v1 (SQLite backend) for local runs and tests.
//
// It embeds FerretDB's library package instead of building cmd/ferretdb, whose
// module zip lacks build/version/version.txt and panics at start (FerretDB issue 2982).
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (keep it on loopback)")
	dataDir := flag.String("data", "./ferretdb-data", "directory for the SQLite databases")
	synchronous := flag.String("synchronous", "full", "SQLite synchronous mode: full (fsync every commit) or normal (WAL synced at checkpoints)")
	flag.Parse()
	if *synchronous != "full" && *synchronous != "normal" {
		log.Fatalf("-synchronous: want full or normal, got %q", *synchronous)
	}

	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		log.Fatalf("create data dir: %v", err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/?_pragma=synchronous(" + *synchronous + ")",
	})
	if err != nil {
		log.Fatalf("ferretdb: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	log.Printf("ferretdb listening on %s, data in %s", *listen, *dataDir)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatalf("ferretdb stopped: %v", err)
	}
}
