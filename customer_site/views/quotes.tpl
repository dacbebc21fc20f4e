% rebase('layout')
<h1>My quotes</h1>
<p><a class="button primary" href="/quotes/new">Request a quote</a></p>
% if requests:
<section aria-labelledby="requests-title" id="quote-requests">
  <h2 id="requests-title">Waiting for a price</h2>
  <ul class="plain">
% for r in requests:
    <li>Your request of {{local(r.requested_at, '%d %b %Y')}}{{(' for ' + r.vehicle) if r.vehicle else ''}}: the shop is preparing your quote. It appears below as soon as it is ready to answer.</li>
% end
  </ul>
</section>
% end
% if quotes:
% if requests:
<h2>Quotes</h2>
% end
<div class="table-scroll">
<table class="stack">
  <thead><tr><th scope="col">Quote</th><th scope="col">Car</th><th scope="col">Status</th><th scope="col">Booking</th><th scope="col">Valid until</th><th scope="col" class="num">Total</th></tr></thead>
  <tbody>
% for q in quotes:
    <tr>
      <td data-label="Quote"><a href="/quotes/{{q.id}}">Quote {{q.id}}</a></td>
      <td data-label="Car">{{q.vehicle or ''}}</td>
      <td data-label="Status">{{ {'sent': 'Waiting for your answer', 'accepted': 'Accepted', 'declined': 'Declined', 'expired': 'Expired'}.get(q.status, q.status) }}</td>
      <td id="quote-{{q.id}}-booking" data-label="Booking">
% if q.booked_start:
        <a href="/appointments/{{q.appointment_id}}">Booked {{local(q.booked_start)}}</a>
% elif q.bookable:
        <a href="/book/calendar?quote={{q.id}}">Ready to book<span class="sr-only"> quote {{q.id}}</span></a>
% elif q.unbookable == 'car_gone':
        Car no longer in your account
% else:
        –
% end
      </td>
      <td data-label="Valid until">{{q.valid_until.strftime('%d %b %Y') if q.valid_until else ''}}</td>
      <td class="num" data-label="Total">{{money(q.total)}}</td>
    </tr>
% end
  </tbody>
</table>
</div>
% else:
<p>No quotes yet.{{'' if requests else ' Requests you send appear here at once, and as a quote to answer once the shop has priced them.'}}</p>
% end
