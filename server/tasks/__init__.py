"""Work for people: pick, count, recount, put-back and put-away tasks, and the exceptions queue."""
