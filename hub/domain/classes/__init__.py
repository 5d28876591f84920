"""Class Projects: classes taught by professionals in ordered lessons, enrollments for
subscribers, learners' submissions (their own records) and feedback threads."""
