package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// Store is the persistence the delivery jobs use.
type Store interface {
	FanOut(ctx context.Context, a FanoutArgs) (int, error)
	EmailFacts(ctx context.Context, a EmailArgs) (EmailFacts, bool, error)
	MarkEmailed(ctx context.Context, a EmailArgs) error
}

// FanoutWorker writes the notifications of one event.
type FanoutWorker struct {
	river.WorkerDefaults[FanoutArgs]
	Store Store
}

// Work fans the event out; a failure is retried by River with back-off, and users already notified
// under the event's key are skipped on the retry.
func (w *FanoutWorker) Work(ctx context.Context, job *river.Job[FanoutArgs]) error {
	_, err := w.Store.FanOut(ctx, job.Args)
	return err
}

// EmailWorker e-mails one notification, after checking again that there is something to send.
type EmailWorker struct {
	river.WorkerDefaults[EmailArgs]
	Store   Store
	Mailer  Mailer // nil: e-mail is off; notifications stay in the portal
	BaseURL string
	Logger  *slog.Logger
}

// Work sends the message unless the check at send time says no (recalled, lost right, deactivated,
// no address, already sent). A failed send is retried with back-off.
func (w *EmailWorker) Work(ctx context.Context, job *river.Job[EmailArgs]) error {
	if w.Mailer == nil {
		return nil
	}
	facts, ok, err := w.Store.EmailFacts(ctx, job.Args)
	if err != nil {
		return err
	}
	if !ok {
		w.Logger.InfoContext(ctx, "notification e-mail not sent: nothing the user may still see", "notification_id", job.Args.NotificationID)
		return nil
	}
	m := Render(facts, w.BaseURL)
	m.UserID = job.Args.UserID
	if err := w.Mailer.Send(ctx, m); err != nil {
		return fmt.Errorf("send notification %d: %w", job.Args.NotificationID, err)
	}
	return w.Store.MarkEmailed(ctx, job.Args)
}

// Timeout bounds one e-mail attempt.
func (w *EmailWorker) Timeout(*river.Job[EmailArgs]) time.Duration { return 30 * time.Second }

// Workers registers the notification workers.
func Workers(store Store, mailer Mailer, baseURL string, logger *slog.Logger) *river.Workers {
	ws := river.NewWorkers()
	river.AddWorker(ws, &FanoutWorker{Store: store})
	river.AddWorker(ws, &EmailWorker{Store: store, Mailer: mailer, BaseURL: baseURL, Logger: logger})
	return ws
}
