% # The invoices and the review of this appointment (see routes/appointments.py:extras).
% if extras.get('invoices'):
  <h2>Invoices</h2>
  <ul class="plain">
% for inv in extras['invoices']:
    <li><a href="/invoices/{{inv.id}}">{{'Credit note' if inv.kind == 'credit_note' else 'Invoice'}} {{inv.number}}</a> · {{money(inv.total)}} · <a href="/invoices/{{inv.id}}.pdf" download>PDF<span class="sr-only"> of {{inv.number}}</span></a></li>
% end
  </ul>
% end
% if item.status == 'completed':
  <h2>Your review</h2>
% review = extras.get('review')
% if review:
  <p><span class="stars" aria-hidden="true">{{'★' * review.rating}}{{'☆' * (5 - review.rating)}}</span> <span class="sr-only">{{review.rating}} of 5 stars</span></p>
% if review.comment:
  <p>{{review.comment}}</p>
% end
  <p class="meta">{{'Published on our reviews page.' if review.status == 'published' else 'Sent to the shop.'}}</p>
% if review.reply:
  <p><strong>The shop answered:</strong> {{review.reply}}</p>
% end
% else:
  <p><a class="button primary" href="/appointments/{{item.id}}/review">Review this visit</a></p>
% end
% end
