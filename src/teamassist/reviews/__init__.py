"""360 reviews (360评估): cycles, reviewer pools, unlinkable answers, k-anonymous summaries."""
