"""Real time: the outbox, the per-process listener, plugin event delivery, subscriptions.

* :mod:`hub.realtime.outbox` writes events with the change (same transaction) and NOTIFYs;
* :mod:`hub.realtime.listener` LISTENs once per process and fans events out to subscribers;
* :mod:`hub.realtime.multiplex` builds each event's payload once per group of subscriptions
  (same field and arguments, same viewer), shared by all of them;
* :mod:`hub.realtime.batches` builds the payloads of many groups in one statement as the
  listener reads the event (compiled ``recordPublished``, ``remixCreated``…, hub/api/live/), and
  :mod:`hub.realtime.direct` writes them to idle subscribers' sockets without waking them;
* :mod:`hub.realtime.dispatcher` delivers them to the ``hub_event`` hook, at least once;
* :mod:`hub.realtime.subscriptions` is the GraphQL ``Subscription`` type.

Event kinds the subscriptions read, and the payloads they expect (the slices emit them):

``record.published``
    subject: the Record; payload ``{"mediaType", "author", "status"}``.
``remix.created`` (and the lineage slice's ``record.remixed``)
    subject: the source Record (``record.remixed``) or the remix; payload
    ``{"remix": Record ID, "source": Record ID, "sourceAuthor": Member ID}`` (``source``
    defaults to the subject).
``compilation.status_changed``
    subject: the Compilation; payload ``{"status", "previousStatus", "version"}``.
``compilation.changed``
    subject: the Compilation; payload ``{"change", "status", "version", "item"}``: an edit
    other than a status change (``change`` is a ``CompilationChange`` value; ``item`` the
    CompilationItem ID, or null).
``lesson.submission_added`` (and the classes slice's ``submission.created``)
    subject: the Submission; payload ``{"class": Class ID, "lesson", "record"}`` (without
    ``class``, the submission is loaded to find it).
``collaboration.opened`` / ``.closed`` / ``.completed`` / ``.archived``
    subject: the Collaboration; payload ``{"status", "previousStatus"}``.
``contribution.offered`` / ``.shortlisted`` / ``.accepted`` / ``.declined`` / ``.withdrawn``
    subject: the Contribution; payload ``{"collaboration": Collaboration ID, "contributor":
    Member ID, "record": Record ID, "status"}`` (hub/api/collaborations/subscriptions.py).
``notification.added``
    subject: the Notification; payload ``{"recipient": Member ID, "kind"}``: written with the
    change that caused it (hub/domain/notifications/service.py), read by
    ``notificationAdded`` (hub/api/notifications/subscriptions.py).
"""
