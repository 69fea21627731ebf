"""Background imports: the job table and worker, the Procrastinate queue, uploaded files and import batches (opening, ending, sweeping interrupted ones)."""
