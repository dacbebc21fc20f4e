% rebase('layout')
<h1>Quote {{quote.id}}</h1>
<p>{{quote.vehicle or ''}}{{(' · valid until ' + quote.valid_until.strftime('%d %B %Y')) if quote.valid_until else ''}}</p>
% if quote.notes:
<p class="meta">{{quote.notes}}</p>
% end
% pending = [l for l in quote.lines if l.decision == 'pending']
% if errors:
<div class="error-summary" role="alert" id="error-summary" tabindex="-1"><h2>Please check your answer</h2><ul>
% for field, message in errors.items():
  <li>{{message}}</li>
% end
</ul></div>
% end
<form id="quote-form" method="post" action="/quotes/{{quote.id}}">
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <div class="table-scroll">
  <table>
    <thead><tr><th scope="col">Item</th><th scope="col" class="num">Qty</th><th scope="col" class="num">Amount <span class="meta">excl. VAT</span></th><th scope="col">Your answer</th></tr></thead>
    <tbody>
% for line in quote.lines:
      <tr>
        <td id="line-{{line.position}}-text">{{line.description}}</td>
        <td class="num">{{line.quantity.normalize()}}</td>
        <td class="num">{{money(line.amount)}}</td>
        <td>
% if line.decision == 'pending' and quote.status == 'sent':
          <fieldset class="inline-choice">
            <legend class="sr-only">{{line.description}}</legend>
            <label class="choice" for="line-{{line.position}}-yes"><input type="radio" id="line-{{line.position}}-yes" name="line-{{line.position}}" value="accepted"> Accept</label>
            <label class="choice" for="line-{{line.position}}-no"><input type="radio" id="line-{{line.position}}-no" name="line-{{line.position}}" value="declined"> Decline</label>
          </fieldset>
% else:
          {{ {'accepted': 'Accepted', 'declined': 'Declined', 'pending': 'Open'}.get(line.decision, line.decision) }}
% end
        </td>
      </tr>
% end
    </tbody>
    <tfoot>
      <tr><th scope="row" colspan="2">Net (excl. VAT)</th><td class="num">{{money(quote.totals.net)}}</td><td></td></tr>
      <tr><th scope="row" colspan="2">VAT</th><td class="num">{{money(quote.totals.tax)}}</td><td></td></tr>
      <tr><th scope="row" colspan="2">Total incl. VAT</th><td class="num"><strong>{{money(quote.totals.total)}}</strong></td><td></td></tr>
% if quote.status in ('accepted', 'sent') and quote.accepted.total:
      <tr><th scope="row" colspan="2">Accepted so far, incl. VAT</th><td class="num">{{money(quote.accepted.total)}}</td><td></td></tr>
% end
    </tfoot>
  </table>
  </div>
% if pending and quote.status == 'sent':
  <button type="submit" class="button primary">Send my answer</button>
% end
</form>
% if quote.booked_start:
<p class="notice" id="quote-booked">Booked: <a href="/appointments/{{quote.appointment_id}}">{{local(quote.booked_start)}}</a></p>
% elif quote.bookable:
<p id="quote-book"><a class="button primary" href="/book/calendar?quote={{quote.id}}">Choose a time</a> for the work you accepted.</p>
% elif quote.unbookable == 'car_gone':
<p class="warning" id="quote-car-gone">The car on this quote is no longer in your account, so it cannot be booked online.
Please call the shop, or <a href="/quotes/new">request a new quote</a> for your current car.</p>
% end
% if quote.status == 'expired':
<p class="warning">This quote has expired. Please <a href="/quotes/new">ask for a new one</a>.</p>
% end
<p><a href="/quotes">All my quotes</a></p>
