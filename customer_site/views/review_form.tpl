% rebase('layout')
<h1>How was your visit?</h1>
<p>{{local(item.start, '%d %B %Y')}} · {{item.vehicle}} · {{', '.join(s.name for s in item.services)}}</p>
% include('_errors', anchors={'rating': 'rating-error'}, fields=('rating', 'comment'), labels={'rating': 'Rating', 'comment': 'Comment'})
<form id="review-form" method="post" action="/appointments/{{item.id}}/review" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <fieldset{{!' aria-describedby="rating-error"' if errors.get('rating') else ''}}>
    <legend>Rating</legend>
% if errors.get('rating'):
    <p class="error" id="rating-error">Rating: {{errors['rating']}}</p>
% end
% for value, words in ((5, 'Excellent'), (4, 'Good'), (3, 'OK'), (2, 'Poor'), (1, 'Bad')):
    <label class="choice" for="rating-{{value}}"><input type="radio" id="rating-{{value}}" name="rating" value="{{value}}"{{!' checked' if form.get('rating') == str(value) else ''}}> <span><span class="stars" aria-hidden="true">{{'★' * value}}{{'☆' * (5 - value)}}</span> {{value}} – {{words}}</span></label>
% end
  </fieldset>
% include('_field', name='comment', label='Comment', type='textarea', optional=True, rows=5)
  <label class="choice" for="publish"><input type="checkbox" id="publish" name="publish"{{!' checked' if form.get('publish') == 'on' else ''}}> <span>You may publish my review on your website (with my first name and initial).</span></label>
  <p class="hint">Reviews of 4 or 5 stars appear at once. Lower ratings go to the shop first, so we can answer you.</p>
  <button type="submit" class="button primary">Send review</button>
</form>
